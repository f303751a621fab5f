{
  "targets": [
    {
      "target_name": "prnet_conv",
      "sources": ["native/prnet_conv.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-march=native", "-std=c++17", "-pthread", "-fno-strict-aliasing"],
      "ldflags": ["-pthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
