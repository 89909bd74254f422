"""ftwizard.train"""
