"""ftwizard.gui"""
