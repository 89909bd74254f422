"""ftwizard.hardware"""
