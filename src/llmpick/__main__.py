from llmpick.cli import main

main()
