print("make-report: not yet implemented")
