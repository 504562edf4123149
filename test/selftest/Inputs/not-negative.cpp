// No CHECK lines, so the runner expects silence; but there is a warning.
int *returnsZero() { return 0; }
