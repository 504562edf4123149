// RUN: %run_fix_test %s %t
//
// A class that starts its own thread from a member (`tail.follow()`) and
// joins it in its destructor; the caller reads what the thread writes into
// the mailbox the class was given. The reader gives up at the first line it
// rejects, without stopping the mailbox: the writer waits for room for
// ever, and the destructor's join never returns. The fix stops the mailbox
// on the reader's way out; the writer's put() then returns.
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>

template <typename T> class Mailbox {
public:
  explicit Mailbox(int limit) : limit_(limit) {}
  void put(T v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [this] {
      return stopped_ || static_cast<int>(q_.size()) < limit_;
    });
    if (stopped_)
      return;
    q_.push(std::move(v));
    cv_.notify_all();
  }
  bool take(T &v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [this] { return stopped_ || !q_.empty(); });
    if (q_.empty())
      return false;
    v = std::move(q_.front());
    q_.pop();
    cv_.notify_all();
    return true;
  }
  void stop() {
    std::lock_guard<std::mutex> lk(m_);
    stopped_ = true;
    cv_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  std::queue<T> q_;
  int limit_;
  bool stopped_ = false;
};

class Tail {
public:
  explicit Tail(Mailbox<int> &lines) : lines_(lines) {}
  ~Tail() { halt(); }
  void follow() {
    thread_ = std::make_unique<std::thread>([this] {
      for (int i = 0; i < 100; ++i)
        lines_.put(i);
      lines_.stop();
    });
  }
  void halt() {
    if (thread_)
      thread_->join();
  }

private:
  Mailbox<int> &lines_;
  std::unique_ptr<std::thread> thread_;
};

// Line 7 is malformed.
bool accept(int line) { return line != 7; }

int firstRejected() {
  Mailbox<int> lines(2);
  Tail tail(lines);
  tail.follow();
  int v = 0;
  while (lines.take(v))
    if (!accept(v))
      return v;
  return -1;
}
// CHECK-FIXES: {{^}}    if (!accept(v)) {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}      lines.stop();{{$}}
// CHECK-FIXES-NEXT: {{^}}      return v;{{$}}

int main() {
  std::printf("first rejected line: %d\n", firstRejected());
  return 0;
}
