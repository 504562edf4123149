// accuracy-family: stranded-consumer
// accuracy-origin: the tpcc course BlockingQueue (Put() "throws QueueClosed exception after Close"; Get() returns false once closed and empty; Close() wakes producers and consumers), the same close-by-exception as VestniK/portable_concurrency test/closable_queue.h (push and pop throw queue_closed after close())
// accuracy-shape: queue=cv-hand-written push-closed=exception pop-closed=bool close=Close close-caller=consumer spawner=std::async+std::thread producer=free-function consumer=lambda exit=exception wait=join+future
//
// A log shipper's reader produces records with std::async; shipper threads
// consume them. The collector rejects every record, so each shipper closes
// the queue and returns. The reader's next Put() throws QueueClosed and the
// exception carries the reader out of its loop without a Close() of its own:
// correct, the queue is already closed and no Get() waits on it.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

class QueueClosed : public std::runtime_error {
public:
  QueueClosed() : std::runtime_error("Queue closed for Puts") {}
};

template <typename T> class BlockingQueue {
public:
  explicit BlockingQueue(std::size_t capacity) : capacity_(capacity) {}

  // Throws QueueClosed after Close().
  void Put(T item) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!closed_ && items_.size() >= capacity_)
      canPut_.wait(lock);
    if (closed_)
      throw QueueClosed();
    items_.push_back(std::move(item));
    canGet_.notify_one();
  }

  // False once the queue is closed and drained.
  bool Get(T &item) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!closed_ && items_.empty())
      canGet_.wait(lock);
    if (items_.empty())
      return false;
    item = std::move(items_.front());
    items_.pop_front();
    canPut_.notify_one();
    return true;
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    canPut_.notify_all();
    canGet_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable canPut_, canGet_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

// The reader: produces every record of the log, then closes the queue.
static void ReadLog(BlockingQueue<std::string> &records, int lines) {
  for (int i = 0; i < lines; ++i)
    records.Put("line " + std::to_string(i)); // throws QueueClosed
  records.Close();
}

static bool Ship(const std::string &) { return false; } // collector: 403

int main() {
  BlockingQueue<std::string> records(4);
  auto reader = std::async(std::launch::async, ReadLog, std::ref(records), 1000);

  std::vector<std::thread> shippers;
  for (int i = 0; i < 3; ++i)
    shippers.emplace_back([&records] {
      std::string record;
      while (records.Get(record)) {
        if (!Ship(record)) {
          records.Close();
          return;
        }
      }
    });
  for (auto &t : shippers)
    t.join();

  try {
    reader.get();
    std::printf("log shipped\n");
  } catch (const QueueClosed &e) {
    std::printf("reader stopped: %s (the collector rejected a record)\n",
                e.what());
  }
  return 0;
}
