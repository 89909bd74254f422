"""ftwizard.base: the small shared floor every other package stands on.

Errors with file/line/field (errors), the one strict JSON reader and atomic writer (jsonio),
where files live (paths), logging (logs), the offline environment for child processes
(offline), file locks (locks), the user's Settings file (settings) and how a person reads
memory and money (units).

May import: the standard library and pydantic/platformdirs. Nothing else of ftwizard.
"""
