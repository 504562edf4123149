// accuracy-family: stranded-producer
// accuracy-origin: bloomberg/bde groups/bdl/bdlcc/bdlcc_boundedqueue.h (disablePopFront() fails and wakes only popFront() callers; pushBack() waits for room or disablePushBack())
// accuracy-shape: queue=cv-hand-written close=pushers-only close-caller=consumer fix=disable-the-pushing-side spawner=std::thread-member producer=member-function consumer=calling-thread-member exit=return wait=destructor
//
// The fix: the failing uploader calls disablePushBack(), which wakes the
// reader blocked in pushBack() with e_DISABLED; the reader returns and the
// destructor's join completes.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// A bounded queue in the manner of bdlcc::BoundedQueue: each side has its own
// disable. disablePushBack() fails pending and future pushBack() calls and
// wakes the threads blocked in it; disablePopFront() does the same for
// popFront(). Neither wakes the other side.
template <class TYPE> class BoundedQueue {
public:
  enum { e_SUCCESS = 0, e_DISABLED = -1 };

  explicit BoundedQueue(std::size_t capacity) : d_capacity(capacity) {}

  int pushBack(const TYPE &value) {
    std::unique_lock<std::mutex> guard(d_mutex);
    d_notFullCondition.wait(guard, [this] {
      return d_pushDisabled || d_elements.size() < d_capacity;
    });
    if (d_pushDisabled)
      return e_DISABLED;
    d_elements.push_back(value);
    guard.unlock();
    d_notEmptyCondition.notify_one();
    return e_SUCCESS;
  }

  int popFront(TYPE *value) {
    std::unique_lock<std::mutex> guard(d_mutex);
    d_notEmptyCondition.wait(
        guard, [this] { return d_popDisabled || !d_elements.empty(); });
    if (d_popDisabled)
      return e_DISABLED;
    *value = d_elements.front();
    d_elements.pop_front();
    guard.unlock();
    d_notFullCondition.notify_one();
    return e_SUCCESS;
  }

  void disablePushBack() {
    {
      std::lock_guard<std::mutex> guard(d_mutex);
      d_pushDisabled = true;
    }
    d_notFullCondition.notify_all();
  }

  void disablePopFront() {
    {
      std::lock_guard<std::mutex> guard(d_mutex);
      d_popDisabled = true;
    }
    d_notEmptyCondition.notify_all();
  }

private:
  std::mutex d_mutex;
  std::condition_variable d_notFullCondition;  // pushBack() waits here
  std::condition_variable d_notEmptyCondition; // popFront() waits here
  std::deque<TYPE> d_elements;
  std::size_t d_capacity;
  bool d_pushDisabled = false;
  bool d_popDisabled = false;
};

struct Chunk {
  long offset = 0;
  std::string bytes; // empty: end of file
};

class Uploader {
public:
  explicit Uploader(long fileSize) : d_fileSize(fileSize) {
    d_reader = std::thread(&Uploader::readFile, this);
  }
  ~Uploader() { d_reader.join(); }

  // Runs on the calling thread.
  bool run() {
    Chunk chunk;
    while (d_chunks.popFront(&chunk) == 0 && !chunk.bytes.empty()) {
      if (!sendChunk(chunk)) {
        std::printf("error: upload of chunk at %ld failed: 503\n",
                    chunk.offset);
        d_chunks.disablePushBack(); // wake the reader blocked in pushBack()
        return false;
      }
    }
    return true;
  }

private:
  static constexpr long k_CHUNK = 64;

  void readFile() {
    for (long offset = 0; offset < d_fileSize; offset += k_CHUNK) {
      Chunk chunk{offset, std::string(k_CHUNK, 'x')};
      if (d_chunks.pushBack(chunk) != 0)
        return;
    }
    d_chunks.pushBack(Chunk{d_fileSize, std::string()});
  }

  // The storage service is unavailable.
  bool sendChunk(const Chunk &) { return false; }

  long d_fileSize;
  BoundedQueue<Chunk> d_chunks{4};
  std::thread d_reader;
};

int main() {
  Uploader uploader(64 * 200);
  return uploader.run() ? 1 : 0;
}
