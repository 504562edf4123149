// accuracy-family: join-before-drain
// accuracy-origin: ktbyers/netmiko examples/use_cases/case16_concurrency/processes_netmiko_queue.py (one process per device puts one dict on Queue(maxsize=20); the parent joins every process before draining) with the results channel of kubernetes registry.Store.DeleteCollection (errs := make(chan error, workersNumber+1): a worker sends its error once and returns)
// accuracy-shape: queue=cv-hand-written-no-close push-count=one-per-worker capacity=workers+1 spawner=asio-thread-pool producer=lambda consumer=calling-thread exit=return wait=pool-join-before-drain
//
// One task per device runs "show version" and puts exactly one entry on the
// output queue, its output or its error, and returns. The parent joins the
// pool before it drains the queue, which is the shape of join-before-drain,
// but every path of a task puts once and the queue holds workers + 1
// entries: no put can block, and the join returns. Correct.
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
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

struct Device {
  std::string host;
  bool reachable;
};

struct Result {
  std::string host;
  std::string output; // or the error
};

static void showVersion(const Device &device, OutputQueue<Result> &outputQ) {
  if (!device.reachable) {
    outputQ.put({device.host, "error: connection timed out"});
    return;
  }
  outputQ.put({device.host, "Cisco IOS Software, Version 15.2"});
}

int main() {
  std::vector<Device> devices;
  for (int i = 0; i < 12; ++i)
    devices.push_back({"rtr" + std::to_string(10 + i), i % 3 != 0});

  OutputQueue<Result> outputQ(devices.size() + 1);
  boost::asio::thread_pool pool(4);
  for (const Device &device : devices)
    boost::asio::post(pool, [&device, &outputQ] { showVersion(device, outputQ); });
  pool.join(); // every task has finished

  std::vector<Result> results;
  while (!outputQ.empty())
    results.push_back(outputQ.get());
  std::sort(results.begin(), results.end(),
            [](const Result &a, const Result &b) { return a.host < b.host; });
  for (const Result &r : results)
    std::printf("%s: %s\n", r.host.c_str(), r.output.c_str());
  return 0;
}
