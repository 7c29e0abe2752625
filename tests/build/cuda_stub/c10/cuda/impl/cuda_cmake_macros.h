#pragma once
// A CUDA LibTorch generates this file; the stand-in is empty (syntax checks only).
