"""Stage 4: a Report, its scores and a template (.docx data shipped here) → the document."""
