import Testing
@testable import Engine

@Suite struct CPUFeatureTests {
    @Test func bfloat16ComputeOnACPUWithoutItIsWarnedAbout() {
        #expect(Engine.bfloat16Warning(dtype: .float32, device: .cpu) == nil)
        let warned = Engine.bfloat16Warning(dtype: .bfloat16, device: .cpu) != nil
        #expect(warned == (Engine.cpuHasNativeBFloat16 == false), "warn exactly when the CPU's flags say no native bf16")
    }
}
