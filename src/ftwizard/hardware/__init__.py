"""ftwizard.hardware: what this workstation can do (GPUs, CPU, RAM, disk, OS).

Cheap to import: nothing here loads NVML or runs a tool. Call
`ftwizard.hardware.detect.detect()` for a HardwareProfile and
`ftwizard.hardware.runtime.runtime_check()` for what the training interpreter's torch sees.
The profile it produces (profile: HardwareProfile, GpuInfo) is what the planner reads.

May import: ftwizard.base, ftwizard.catalog. Qt-free; torch only inside the runtime check's
child process.
"""
