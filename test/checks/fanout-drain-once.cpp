// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20

// A queue with no close that can be emptied: the method that clears the
// items and wakes the sleepers makes room for a blocked push once. A
// consumer that first raises a flag the producer stops on, then empties the
// queue, wakes it for good; only the first to raise the flag needs to
// (`if (!stop.exchange(true)) q.discard();`): the others find it raised.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

template <typename T> class Backlog {
public:
  explicit Backlog(std::size_t most) : most_(most) {}
  void add(T v) {
    std::unique_lock<std::mutex> lock(mu_);
    roomy_.wait(lock, [&] { return jobs_.size() < most_; });
    jobs_.push_back(v);
    ready_.notify_one();
  }
  T next() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [&] { return !jobs_.empty(); });
    T v = jobs_.front();
    jobs_.pop_front();
    roomy_.notify_one();
    return v;
  }
  // Forgets what is queued; whoever waits for room finds it.
  void discard() {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.clear();
    roomy_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable roomy_, ready_;
  std::deque<T> jobs_;
  std::size_t most_;
};

bool run(int job);

// Correct: the first worker to fail raises the flag and empties the
// backlog; the feeder stops on the flag; the end markers find room.
void firstToFailDiscards(int jobs, int workers) {
  Backlog<int> backlog(64);
  std::atomic<bool> abandon{false};
  std::vector<std::thread> crew;
  for (int w = 0; w < workers; ++w)
    crew.emplace_back([&] {
      for (;;) {
        int job = backlog.next();
        if (job < 0)
          return;
        if (!run(job)) {
          if (!abandon.exchange(true))
            backlog.discard();
          return;
        }
      }
    });
  for (int j = 0; j < jobs && !abandon; ++j)
    backlog.add(j);
  for (int w = 0; w < workers; ++w)
    backlog.add(-1);
  for (std::thread &t : crew)
    t.join();
}

// Correct: one worker, which says stop before it empties the backlog.
void flagThenDiscard(int jobs) {
  Backlog<int> backlog(8);
  std::atomic<bool> abandon{false};
  std::thread worker([&] {
    for (;;) {
      int job = backlog.next();
      if (job < 0)
        return;
      if (!run(job)) {
        abandon.store(true);
        backlog.discard();
        return;
      }
    }
  });
  for (int j = 0; j < jobs && !abandon; ++j)
    backlog.add(j);
  backlog.add(-1);
  worker.join();
}

// The bug: emptying the backlog without a word makes room once; the feeder
// fills it again and sleeps for good.
void discardSilently(int jobs) {
  Backlog<int> backlog(8);
  std::thread worker([&] {
    for (;;) {
      int job = backlog.next();
      if (job < 0)
        return;
      if (!run(job)) {
        backlog.discard();
        return;
      }
    }
  });
  for (int j = 0; j < jobs; ++j)
    backlog.add(j);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: producer can block forever in 'add' on bounded queue 'backlog' (Backlog<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
  backlog.add(-1);
  worker.join();
}
