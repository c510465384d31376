"""Stage 5: many units' results → the consolidated tong-hop.xlsx and tong-hop.docx."""
