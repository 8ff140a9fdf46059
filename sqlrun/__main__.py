from sqlrun.cli import main

main()
