"""textpipe: article bodies, language segments and romanized names from scraped pages."""
