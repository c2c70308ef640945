"""
Which plugins and formats are installed
=======================================

Ask the plugin manager what is installed, what each plugin contributes, and
which plugins failed and why: the same information as ``irisplug plugins``.
"""

import irisplug

pm = irisplug.get_plugin_manager()
for record in pm.records:
    print(f"{record.name:<10} {record.distribution:<18} {record.status}")
    for kind, names in record.contributions.items():
        print(f"    {kind}s: {', '.join(names)}")
    if record.error:
        print(f"    failed: {record.error}")

###############################################################################
# Readers and writers by name, with the file-name patterns that select them.
for name, reader in sorted(pm.contributions("reader").items()):
    print(f"reader {name:<14} patterns={list(reader.patterns)}  ({reader.plugin})")
for name, writer in sorted(pm.contributions("writer").items()):
    print(f"writer {name:<14} extensions={list(writer.extensions)}  ({writer.plugin})")
