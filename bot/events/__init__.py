"""UIS event notifications in: what the events are, how their bodies are read, the receiver."""
