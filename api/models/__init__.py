"""One pydantic model for the params and one for the result of each Call API method.

The registry that ties them to wire method names is :data:`api.methods.METHODS`.
"""

from api.models.auth import *  # noqa: F403
from api.models.auth import __all__ as _auth_all
from api.models.common import *  # noqa: F403
from api.models.common import __all__ as _common_all
from api.models.create_call import *  # noqa: F403
from api.models.create_call import __all__ as _create_call_all
from api.models.manage_call import *  # noqa: F403
from api.models.manage_call import __all__ as _manage_call_all

__all__ = [*_auth_all, *_common_all, *_create_call_all, *_manage_call_all]
