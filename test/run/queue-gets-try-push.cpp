// RUN: %run_fix_test %s %t
//
// A channel written in the project with neither a close nor a push that
// gives up: the fix adds one to the class (TrySend, the body of Send with
// its wait turned into a test), raises a flag where the one reader leaves
// early, and retries TrySend until there is room or the flag is raised. The
// item, computed by a call, is computed once before the retries; the end
// marker, a value made afresh on each attempt, is not.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

template <typename T> class Channel {
public:
  explicit Channel(std::size_t Limit) : Limit(Limit) {}
  void Send(T Value) {
    std::unique_lock<std::mutex> Lock(Mutex);
    while (Buffer.size() >= Limit)
      Space.wait(Lock);
    Buffer.push_back(std::move(Value));
    Items.notify_one();
  }
  T Receive() {
    std::unique_lock<std::mutex> Lock(Mutex);
    while (Buffer.empty())
      Items.wait(Lock);
    T Value = std::move(Buffer.front());
    Buffer.pop_front();
    Space.notify_one();
    return Value;
  }

private:
  std::mutex Mutex;
  std::condition_variable Space, Items;
  std::deque<T> Buffer;
  std::size_t Limit;
};

static std::string Format(int Line) { return "line " + std::to_string(Line); }

// The log file's disk is full: the first write fails.
static bool Write(const std::string &Line) { return Line.size() > 64; }

int main() {
  Channel<std::string> Log(8);
  int Written = 0;
  std::thread Writer([&] {
    for (;;) {
      std::string Line = Log.Receive();
      if (Line.empty())
        return;
      if (!Write(Line))
        return; // Gives up without a word.
      ++Written;
    }
  });
  for (int I = 0; I < 1000; ++I)
    Log.Send(Format(I));
  Log.Send(std::string());
  Writer.join();
  std::printf("%d lines written\n", Written);
  return 0;
}
// CHECK-FIXES: {{^}}  bool TrySend(T Value) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    std::unique_lock<std::mutex> Lock(Mutex);{{$}}
// CHECK-FIXES-NEXT: {{^}}    if (Buffer.size() >= Limit){{$}}
// CHECK-FIXES-NEXT: {{^}}      return false;{{$}}
// CHECK-FIXES-NEXT: {{^}}    Buffer.push_back(std::move(Value));{{$}}
// CHECK-FIXES-NEXT: {{^}}    Items.notify_one();{{$}}
// CHECK-FIXES-NEXT: {{^}}    return true;{{$}}
// CHECK-FIXES: {{^}}    const auto item = Format(I);{{$}}
// CHECK-FIXES-NEXT: {{^}}    while (!Log.TrySend(item) && !LogClosed){{$}}
// CHECK-FIXES: {{^}}  while (!Log.TrySend(std::string()) && !LogClosed){{$}}
