"""Stage 2: tables → the Report model, and the issues the contract finds in it.

(Not `check/`: `baocao_cli.check` is the library's function that runs the whole pipeline.)
"""
