"""`python -m bot`: the same command line as `jalur-aman`."""

from bot.cli import main

if __name__ == "__main__":
    main()
