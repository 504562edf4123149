// accuracy-family: join-before-drain
// accuracy-origin: ktbyers/netmiko examples/multiprocess_example.py and PR #511 ("Prevent mp_queue deadlock in multiprocess_example": the mp_queue reaches its size limit for a large number of returned results while the parent joins the processes before reading it)
// accuracy-shape: queue=cv-hand-written-no-close push-count=one-per-item capacity=small spawner=std::thread producer=free-function consumer=calling-thread exit=none fix=drain-then-join wait=join-after-drain
//
// The fix: the parent reads the results it expects (one per command per
// device) before it joins the workers, so no put() waits for a reader that
// is itself waiting in join().
#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

// A bounded queue in the manner of multiprocessing.Queue(maxsize=...): put()
// blocks while the queue is full, get() while it is empty; there is no close.
template <typename T> class OutputQueue {
public:
  explicit OutputQueue(std::size_t maxsize) : maxsize_(maxsize) {}

  void put(T item) {
    std::unique_lock<std::mutex> lock(mutex_);
    notFull_.wait(lock, [&] { return items_.size() < maxsize_; });
    items_.push_back(std::move(item));
    notEmpty_.notify_one();
  }

  T get() {
    std::unique_lock<std::mutex> lock(mutex_);
    notEmpty_.wait(lock, [&] { return !items_.empty(); });
    T item = std::move(items_.front());
    items_.pop_front();
    notFull_.notify_one();
    return item;
  }

  bool empty() {
    std::lock_guard<std::mutex> lock(mutex_);
    return items_.empty();
  }

private:
  std::mutex mutex_;
  std::condition_variable notFull_, notEmpty_;
  std::deque<T> items_;
  std::size_t maxsize_;
};

struct CommandOutput {
  std::string host;
  int command;
  std::string output;
};

static const int kCommands = 10;

static void runCommands(const std::string &host, OutputQueue<CommandOutput> &outputQ) {
  for (int c = 0; c < kCommands; ++c)
    outputQ.put({host, c, "ok"});
}

int main() {
  std::vector<std::string> hosts = {"sw1", "sw2", "sw3", "sw4"};
  OutputQueue<CommandOutput> outputQ(20);

  std::vector<std::thread> procs;
  for (const std::string &host : hosts)
    procs.emplace_back(runCommands, std::cref(host), std::ref(outputQ));
  // Read every expected result first, then join.
  std::vector<CommandOutput> results;
  for (std::size_t i = 0; i < hosts.size() * kCommands; ++i)
    results.push_back(outputQ.get());
  for (std::thread &p : procs)
    p.join();

  std::printf("collected %zu outputs from %zu devices\n", results.size(),
              hosts.size());
  return 0;
}
