"""ftwizard.core"""
