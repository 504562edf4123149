// Hangs, but no stock check has anything to say about it.
#include <thread>
int main() {
  std::thread t([] {
    for (;;)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  });
  t.join();
}
