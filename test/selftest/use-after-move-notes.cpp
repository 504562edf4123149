// CHECK-NOTES sees notes too; a check suffix selects the prefixes of one RUN
// line; -std=...-or-later runs once per standard.
// RUN: %check_clang_tidy_noplugin -std=c++17-or-later %s bugprone-use-after-move %t
// RUN: %check_clang_tidy_noplugin -check-suffix=REINIT %s bugprone-use-after-move %t -- \
// RUN:   -- -std=c++20 -DREINIT

namespace std {
template <class T> struct remove_reference { using type = T; };
template <class T> struct remove_reference<T &> { using type = T; };
template <class T> typename remove_reference<T>::type &&move(T &&t) {
  return static_cast<typename remove_reference<T>::type &&>(t);
}
} // namespace std

struct Buffer {
  Buffer() = default;
  Buffer(Buffer &&) = default;
  Buffer &operator=(Buffer &&) = default;
  int size() const;
};

int useAfterMove() {
  Buffer a;
  Buffer b = std::move(a);
#ifdef REINIT
  a = Buffer();
#endif
  return a.size();
  // CHECK-NOTES: :[[@LINE-1]]:10: warning: 'a' used after it was moved [bugprone-use-after-move]
  // CHECK-NOTES: :[[@LINE-6]]:14: note: move occurred here
}
// CHECK-MESSAGES-REINIT-NOT: warning:
// CHECK-FIXES-REINIT: {{^}}  return a.size();{{$}}
