// RUN: %run_fix_test %s %t
//
// A metrics relay forwards samples from its inbox on a jthread and looks
// at its stop token after each take(). stop() requests the stop and joins;
// but the thread sleeps in take() on the empty inbox, which does not see
// the request, so the join never returns. The fix shuts the inbox between
// the request and the join: take() wakes, and the stop test ends the loop.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <stop_token>
#include <thread>

class Inbox {
public:
  explicit Inbox(std::size_t room) : room_(room) {}
  void put(int v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return shut_ || q_.size() < room_; });
    if (shut_)
      return;
    q_.push_back(v);
    cv_.notify_all();
  }
  bool take(int &v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return shut_ || !q_.empty(); });
    if (q_.empty())
      return false;
    v = q_.front();
    q_.pop_front();
    cv_.notify_all();
    return true;
  }
  void shut() {
    std::lock_guard<std::mutex> lk(m_);
    shut_ = true;
    cv_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<int> q_;
  std::size_t room_;
  bool shut_ = false;
};

class MetricsRelay {
public:
  void start() {
    worker_ = std::jthread([this](std::stop_token token) {
      for (;;) {
        int sample = 0;
        inbox_.take(sample);
        if (token.stop_requested())
          break;
        std::lock_guard<std::mutex> lk(m_);
        total_ += sample;
        ++count_;
      }
    });
  }
  void record(int sample) { inbox_.put(sample); }
  void stop() {
    worker_.request_stop();
    worker_.join();
  }
  void waitFor(int n) {
    for (;;) {
      {
        std::lock_guard<std::mutex> lk(m_);
        if (count_ >= n)
          return;
      }
      std::this_thread::yield();
    }
  }
  long total() {
    std::lock_guard<std::mutex> lk(m_);
    return total_;
  }

private:
  Inbox inbox_{8};
  std::mutex m_;
  long total_ = 0;
  int count_ = 0;
  std::jthread worker_;
};

int main() {
  MetricsRelay relay;
  relay.start();
  for (int i = 1; i <= 20; ++i)
    relay.record(i);
  relay.waitFor(20);
  relay.stop();
  std::printf("forwarded %ld\n", relay.total());
  return 0;
}
// CHECK-FIXES: {{^}}    worker_.request_stop();{{$}}
// CHECK-FIXES-NEXT: {{^}}    inbox_.shut();{{$}}
// CHECK-FIXES-NEXT: {{^}}    worker_.join();{{$}}
