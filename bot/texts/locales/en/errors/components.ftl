### Call API component names as the personal account shows them

component-basic_set = Call API Basic set
component-call_management = Call API Call management
component-informer_call = Call API Informer calls
component-scenario_call = Call API Call scenario
