"""ftwizard.report: the plan and run reports as PDF (Qt's PDF writer, vector charts).

May import: the Qt-free packages (base, catalog, data, estimate, evaluate, hardware, recommend,
runs). Never torch: the GUI prints reports.
"""
