// RUN: %check_clang_tidy %s fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// A wait on the workers followed, in the same block, by the drain of their
// bounded results queue: when the code between them and the drain itself
// read nothing the workers write, the wait can move after the drain. The
// program never hangs where it did not (a drain that blocks after the wait
// blocks before it too), and the workers no longer wait for room. Where the
// moved code reads what the workers write, or a worker's exception would
// end it before it pushes (the wait would rethrow it), only a note.
#include "queues.h"

#include <condition_variable>
#include <future>
#include <mutex>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

std::string render(int part);

// A message pipe over a ring of bytes: a message bigger than the ring
// waits until the reader takes some.
class BytePipe {
public:
  explicit BytePipe(std::size_t bytes) : ring_(bytes) {}
  void send(const std::string &message) {
    std::unique_lock<std::mutex> lock(mu_);
    for (char c : message) {
      moved_.wait(lock, [&] { return used_ < ring_.size(); });
      ring_[(head_ + used_++) % ring_.size()] = c;
      moved_.notify_all();
    }
  }
  std::string receive(std::size_t length) {
    std::unique_lock<std::mutex> lock(mu_);
    std::string message;
    while (message.size() < length) {
      moved_.wait(lock, [&] { return used_ > 0; });
      message += ring_[head_];
      head_ = (head_ + 1) % ring_.size();
      --used_;
      moved_.notify_all();
    }
    return message;
  }

private:
  std::mutex mu_;
  std::condition_variable moved_;
  std::vector<char> ring_;
  std::size_t head_ = 0, used_ = 0;
};

// One message, bigger than the ring: the child's only send.
void report(BytePipe &out, int parts) {
  std::string text;
  for (int p = 0; p < parts; ++p)
    text += render(p);
  out.send(text);
}
std::string isolated(int parts) {
  BytePipe out(16);
  auto child = std::async(std::launch::async, report, std::ref(out), parts);
  child.get();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: this wait can block forever: workers push into bounded queue 'out' {{.*}} [fanout-join-before-drain]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: fix: wait for the workers after draining 'out', not before
  std::string text = out.receive(64);
  return text;
}
// CHECK-FIXES: {{^}}  std::string text = out.receive(64);{{$}}
// CHECK-FIXES-NEXT: {{^}}  child.get();{{$}}
// CHECK-FIXES-NEXT: {{^}}  return text;{{$}}

// A latch the workers count down, and a counted drain loop.
int scan(int workers, int chunks) {
  BoundedQueue<int> found(4);
  std::latch done(workers);
  std::vector<std::jthread> threads;
  for (int w = 0; w < workers; ++w)
    threads.emplace_back([&, w] {
      for (int c = w; c < chunks; c += workers)
        if (!found.push(c % 7))
          break;
      done.count_down();
    });
  done.wait();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: this wait can block forever: workers push into bounded queue 'found' {{.*}} [fanout-join-before-drain]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: fix: wait for the workers after draining 'found', not before
  int total = 0;
  for (int i = 0; i < chunks; ++i) {
    int v;
    if (found.pop(v))
      total += v;
  }
  return total;
}
// CHECK-FIXES: {{^}}      total += v;{{$}}
// CHECK-FIXES-NEXT: {{^}}  }{{$}}
// CHECK-FIXES-NEXT: {{^}}  done.wait();{{$}}

// The code between reads a counter the workers write: it needs the wait.
int scanCounted(int workers, int chunks) {
  BoundedQueue<int> found(4);
  std::latch done(workers);
  int scanned = 0;
  std::vector<std::jthread> threads;
  for (int w = 0; w < workers; ++w)
    threads.emplace_back([&, w] {
      for (int c = w; c < chunks; c += workers) {
        found.push(c % 7);
        ++scanned;
      }
      done.count_down();
    });
  done.wait();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: this wait can block forever: workers push into bounded queue 'found' {{.*}} [fanout-join-before-drain]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: drain the queue while waiting {{.*}}
  int total = scanned;
  for (int i = 0; i < chunks; ++i) {
    int v;
    if (found.pop(v))
      total += v;
  }
  return total;
}

// The child can throw before it sends: get() rethrows that today, while a
// receive first would wait for a message that never comes.
void checkedReport(BytePipe &out, int parts) {
  if (parts < 0)
    throw std::invalid_argument("parts");
  std::string text;
  for (int p = 0; p < parts; ++p)
    text += render(p);
  out.send(text);
}
std::string isolatedChecked(int parts) {
  BytePipe out(16);
  auto child =
      std::async(std::launch::async, checkedReport, std::ref(out), parts);
  child.get();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: this wait can block forever: workers push into bounded queue 'out' {{.*}} [fanout-join-before-drain]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: note: drain the queue while waiting {{.*}}
  std::string text = out.receive(64);
  return text;
}
