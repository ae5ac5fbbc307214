from sitejobs.cli import main

main()
