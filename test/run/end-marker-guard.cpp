// RUN: %run_fix_test %s %t
//
// A queue with no close (a ring, as moodycamel's or folly's): consumers stop
// on an end marker (-1), one per consumer. The producer meets a bad record and returns before the
// markers: the consumers wait in pop() forever and main's joins hang. The
// fix sends the markers from a guard on every way out of the producer, and
// only once: the normal end marks them sent.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

template <typename T> class Ring {
public:
  explicit Ring(std::size_t capacity) : capacity_(capacity) {}
  void push(T v) {
    std::unique_lock<std::mutex> lock(m_);
    notFull_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(v);
    notEmpty_.notify_one();
  }
  T pop() {
    std::unique_lock<std::mutex> lock(m_);
    notEmpty_.wait(lock, [&] { return !items_.empty(); });
    T v = items_.front();
    items_.pop_front();
    notFull_.notify_one();
    return v;
  }

private:
  std::mutex m_;
  std::condition_variable notFull_, notEmpty_;
  std::deque<T> items_;
  std::size_t capacity_;
};

static bool parse(int record, int &value) {
  value = record * 2;
  return record != 3; // Record 3 is corrupt.
}

int main() {
  constexpr int kConsumers = 3;
  Ring<int> q(4);
  std::atomic<int> sum{0};
  std::vector<std::thread> consumers;
  for (int c = 0; c < kConsumers; ++c)
    consumers.emplace_back([&] {
      for (;;) {
        int v = q.pop();
        if (v < 0)
          return;
        sum += v;
      }
    });
  std::thread producer([&] {
    for (int record = 0; record < 10; ++record) {
      int value;
      if (!parse(record, value)) {
        std::printf("record %d is corrupt\n", record);
        return;
      }
      q.push(value);
    }
    for (int c = 0; c < kConsumers; ++c)
      q.push(-1);
  });
  producer.join();
  for (auto &t : consumers)
    t.join();
  std::printf("sum %d\n", sum.load());
  return 0;
}
// CHECK-FIXES: {{^}}    auto sendEndMarkers = [&] {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}      for (int c = 0; c < kConsumers; ++c){{$}}
// CHECK-FIXES-NEXT: {{^}}        q.push(-1);{{$}}
// CHECK-FIXES-NEXT: {{^}}    };{{$}}
// CHECK-FIXES-NEXT: {{^}}    struct EndMarkersOnExit { decltype(sendEndMarkers) &send; bool sent = false; ~EndMarkersOnExit() { if (!sent) send(); } } endMarkersOnExit{sendEndMarkers};{{$}}
// CHECK-FIXES-NEXT: {{^}}    for (int record = 0; record < 10; ++record) {{[{]}}{{$}}
// CHECK-FIXES: {{^}}    endMarkersOnExit.sent = true;{{$}}
// CHECK-FIXES-NEXT: {{^}}    sendEndMarkers();{{$}}
