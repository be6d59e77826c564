print("auth-bench: not yet")
