"""A plugin whose contribution hook returns something that is not a descriptor."""

import irisplug


@irisplug.hookimpl
def irisplug_readers():
    return [{"name": "not-a-descriptor", "read": print}]
