export interface CudaProviderPackage {
  name: string;
  version: string;
}
export declare const CUDA_PROVIDER_FOR_ORT: Record<string, CudaProviderPackage>;
export declare function planCudaSetup(target: {
  platform: string;
  arch: string;
  ortVersion: string;
}): { refuse: string; provider?: undefined } | { provider: CudaProviderPackage; refuse?: undefined };
