"""Stage 1: files as given → tables of located cells, behind the zip and XML guards."""
