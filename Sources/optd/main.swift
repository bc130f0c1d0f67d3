print("optd: the service is being wired (see the open issues)")
