### Названия компонентов Call API, как их показывает личный кабинет

component-basic_set = Call API Базовый набор
component-call_management = Call API Управление вызовами
component-informer_call = Call API Информационный вызов
component-scenario_call = Call API Вызов сценария
