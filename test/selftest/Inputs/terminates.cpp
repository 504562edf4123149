// Exits at once: not a program a run test can cure.
int main() { return 0; }
