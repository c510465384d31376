"""`baocao serve`: the checks and reports of the CLI in a browser, for clerks without a
terminal. Web code only; the work is the library's (`api`, `batch`, `output`), run in a
bounded pool of worker processes (`pool`) on uploads streamed to private folders
(`uploads`). Imported only by the `serve` command: Starlette and uvicorn cost nothing to
the other commands."""
