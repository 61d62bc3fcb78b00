"""Operations used alike by the web pages, the JSON API, the CLI and the jobs."""
