"""ftwizard.report"""
