"""What the forkserver of the parser processes imports before it forks any of them
(``ingest.parser_pool``): Django, the parser and the recogniser's vocabulary, loaded once and
shared by every parser process. Importing it is all it is for."""

from articles.ingest import workers as worker_processes

worker_processes.preload()
