"""Agency connectors: documents and agency systems in, signed canonical events out."""
