// RUN: %run_fix_test %s %t
//
// A hand-written ring guarded by counting semaphores, with no close: the
// checks read put() as the blocking push and try_put() as its non-blocking
// twin. The fix raises a flag on the consumer's exit and retries try_put()
// with a short sleep until there is room or the flag is raised.
#include <array>
#include <mutex>
#include <semaphore>
#include <thread>

template <typename T, std::ptrdiff_t N> class SlotRing {
public:
  void put(T v) {
    free_.acquire();
    {
      std::lock_guard<std::mutex> lk(m_);
      buf_[tail_] = v;
      tail_ = (tail_ + 1) % N;
    }
    used_.release();
  }
  bool try_put(T v) {
    if (!free_.try_acquire())
      return false;
    {
      std::lock_guard<std::mutex> lk(m_);
      buf_[tail_] = v;
      tail_ = (tail_ + 1) % N;
    }
    used_.release();
    return true;
  }
  T take() {
    used_.acquire();
    std::lock_guard<std::mutex> lk(m_);
    T v = buf_[head_];
    head_ = (head_ + 1) % N;
    free_.release();
    return v;
  }

private:
  std::counting_semaphore<N> free_{N}, used_{0};
  std::mutex m_;
  std::array<T, N> buf_{};
  std::ptrdiff_t head_ = 0, tail_ = 0;
};

static bool process(int item) { return item > 100; } // The first one fails.

int main() {
  SlotRing<int, 4> ring;
  std::thread consumer([&] {
    for (;;)
      if (!process(ring.take()))
        return;
  });
  for (int i = 0; i < 1000; ++i)
    ring.put(i);
  consumer.join();
  return 0;
}
// CHECK-FIXES: {{^}}#include <atomic>{{$}}
// CHECK-FIXES: {{^}}  std::atomic<bool> ringClosed{false};{{$}}
// CHECK-FIXES: {{^}}    while (!ring.try_put(i) && !ringClosed){{$}}
// CHECK-FIXES-NEXT: {{^}}      std::this_thread::sleep_for(std::chrono::milliseconds(1));{{$}}
