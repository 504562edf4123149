// RUN: %run_fix_test %s %t
//
// Several readers of a hand-written buffer with no close and no push that
// gives up, each stopping at its own end marker (-1). Every reader fails,
// but not at once: a flag raised by the first would stop the writer before
// the others have their markers, and they would wait for ever. The fix adds
// tryPut to the buffer, counts the readers out with a guard as each leaves,
// and retries tryPut (items and markers) until there is room or every
// reader has left.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

template <typename T> class BoundedBuffer {
public:
  explicit BoundedBuffer(std::size_t limit) : limit(limit) {}
  void put(const T &value) {
    std::unique_lock<std::mutex> lock(mutex);
    roomLeft.wait(lock, [this] { return items.size() < limit; });
    items.push_back(value);
    itemsLeft.notify_one();
  }
  T get() {
    std::unique_lock<std::mutex> lock(mutex);
    itemsLeft.wait(lock, [this] { return !items.empty(); });
    T value = items.front();
    items.pop_front();
    roomLeft.notify_one();
    return value;
  }

private:
  std::mutex mutex;
  std::condition_variable roomLeft, itemsLeft;
  std::deque<T> items;
  std::size_t limit;
};

// Records past 100 are corrupt.
static bool decode(int record) { return record < 100; }

int main() {
  const int readerCount = 3;
  BoundedBuffer<int> buffer(4);
  std::mutex printMutex;
  int decoded = 0;
  std::vector<std::thread> readers;
  for (int r = 0; r < readerCount; ++r)
    readers.emplace_back([&] {
      for (;;) {
        int record = buffer.get();
        if (record < 0)
          break;
        if (!decode(record))
          return;
        std::lock_guard<std::mutex> lock(printMutex);
        ++decoded;
      }
    });
  for (int i = 0; i < 100000; ++i)
    buffer.put(i);
  for (int r = 0; r < readerCount; ++r)
    buffer.put(-1);
  for (std::thread &t : readers)
    t.join();
  std::printf("decoded %d\n", decoded);
  return 0;
}
// CHECK-FIXES: {{^}}  bool tryPut(const T &value) {{[{]}}{{$}}
// CHECK-FIXES: {{^}}  std::atomic<int> bufferReaders{readerCount};{{$}}
// CHECK-FIXES: {{^}}      } leaveCount{bufferReaders};{{$}}
// CHECK-FIXES: {{^}}    while (!buffer.tryPut(i) && bufferReaders > 0){{$}}
// CHECK-FIXES: {{^}}    while (!buffer.tryPut(-1) && bufferReaders > 0){{$}}
