namespace std {
template <class T> T &&move(T &t) { return static_cast<T &&>(t); }
} // namespace std
struct Buffer {
  int size() const;
};
int useAfterMove() {
  Buffer a;
  Buffer b = std::move(a);
  return a.size();
  // Only the warning is listed; CHECK-NOTES also requires the note.
  // CHECK-NOTES: :[[@LINE-2]]:10: warning: 'a' used after it was moved
}
