"""ftwizard.cli"""
