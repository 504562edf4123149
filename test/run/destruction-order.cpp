// RUN: %run_fix_test %s %t
//
// Parser threads push into a queue that closes itself when destroyed; the
// jthreads are declared after it. The calling thread consumes, and its
// first store throws: unwinding joins the jthreads first, which wait in
// send() on the full queue, so the queue's destructor never runs (qlever
// issue #3092). The fix declares a closing guard after the threads, so it
// runs before their joins.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

// Closes itself when destroyed; send() gives up once closed.
template <typename T> class Pipe {
public:
  explicit Pipe(std::size_t room) : room_(room) {}
  ~Pipe() { close(); }
  bool send(T v) {
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return items_.size() < room_ || closed_; });
    if (closed_)
      return false;
    items_.push_back(std::move(v));
    ready_.notify_one();
    return true;
  }
  std::optional<T> receive() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty())
      return std::nullopt;
    T v = std::move(items_.front());
    items_.pop_front();
    space_.notify_one();
    return v;
  }
  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    ready_.notify_all();
    space_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable space_, ready_;
  std::deque<T> items_;
  std::size_t room_;
  bool closed_ = false;
};

void store(const std::string &line) {
  throw std::runtime_error("cannot write '" + line.substr(0, 5) + "'");
}

void parseAll(const std::vector<std::string> &blocks) {
  Pipe<std::string> parsed(2);
  std::atomic<int> active{3};
  std::vector<std::jthread> parsers;
  for (int t = 0; t < 3; ++t)
    parsers.emplace_back([&] {
      for (const std::string &block : blocks)
        if (!parsed.send(block))
          return;
      if (active.fetch_sub(1) == 1)
        parsed.close();
    });
  while (std::optional<std::string> line = parsed.receive())
    store(*line);
}
// The guard goes after the threads and before the consumer's loop:
// CHECK-FIXES: {{^}}    });
// CHECK-FIXES-NEXT: {{^}}  struct CloseOnExit { decltype(parsed) &queue; ~CloseOnExit() { queue.close(); } } closeOnExit{parsed};
// CHECK-FIXES-NEXT: {{^}}  while (std::optional<std::string> line = parsed.receive())

int main() {
  std::vector<std::string> blocks(100, "block of triples");
  try {
    parseAll(blocks);
  } catch (const std::exception &e) {
    std::printf("index build failed: %s\n", e.what());
  }
  return 0;
}
