### Command menu (setMyCommands): plain text, 3..256 characters

## command menu (setMyCommands: plain text, 3..256 characters)

cmd-start = Start the bot
cmd-help = What the bot does and the command list
cmd-call = Call a client: your phone rings first
cmd-simple_call = Connect any two numbers through a virtual number
cmd-vcall = Call a client through a virtual number's scenario
cmd-scenario = Call a client through a chosen scenario
cmd-inform = Informer call: play a recording or text to a number
cmd-calls = Calls in progress and their controls
cmd-block = Add the other party to the blacklist
cmd-limits = Remaining Call API points
cmd-history = My recent UIS requests
cmd-settings = Virtual number, hold message, region, favourites
cmd-login = Sign in to UIS: access key or login and password
cmd-logout = Sign out of UIS
cmd-users = Bot users and access requests
cmd-approve = Approve a request: /approve ID
cmd-deny = Deny a request or revoke access: /deny ID
cmd-assign = Link a user to a UIS employee: /assign ID EMPLOYEE_ID
cmd-catalog = Import the catalog: employees, numbers, scenarios, tags, files
cmd-bindkey = Bind a shared access key to a user group
cmd-audit = Export the audit log
