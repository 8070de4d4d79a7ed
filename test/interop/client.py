"""A Python grpcio client of llm2clipd, written from llm2clip.proto alone.

The message classes are generated at test time by `protoc --python_out` (Debian's protoc 3.21; grpc_tools' bundled
protoc 3.5 cannot read proto3 `optional`). grpcio's generic multi-callables stand in for generated service stubs.

Usage: client.py --address HOST:PORT --stubs DIR --image FILE --caption TEXT [--caption TEXT ...]
Prints one JSON document with the answers of GetModelInfo, EmbedTexts and ScoreCaptions, and the status of a
ScoreCaptions call without captions.
"""
import argparse
import json
import sys

import grpc

SERVICE = "/llm2clip.v1.Llm2Clip/"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", required=True)
    parser.add_argument("--stubs", required=True, help="folder holding llm2clip/v1/llm2clip_pb2.py")
    parser.add_argument("--image", required=True)
    parser.add_argument("--caption", action="append", required=True)
    return parser.parse_args()


def unary(channel, method, request_type, response_type):
    return channel.unary_unary(
        SERVICE + method,
        request_serializer=request_type.SerializeToString,
        response_deserializer=response_type.FromString,
    )


def main():
    args = parse_args()
    sys.path.insert(0, args.stubs)
    from llm2clip.v1 import llm2clip_pb2 as pb

    with open(args.image, "rb") as f:
        image = f.read()

    with grpc.insecure_channel(args.address) as channel:
        get_model_info = unary(channel, "GetModelInfo", pb.GetModelInfoRequest, pb.ModelInfo)
        embed_texts = unary(channel, "EmbedTexts", pb.EmbedTextsRequest, pb.EmbedTextsResponse)
        score_captions = unary(channel, "ScoreCaptions", pb.ScoreCaptionsRequest, pb.ScoreCaptionsResponse)

        info = get_model_info(pb.GetModelInfoRequest(), timeout=30)
        texts = embed_texts(pb.EmbedTextsRequest(texts=args.caption, include_features=True), timeout=30)
        scores = score_captions(
            pb.ScoreCaptionsRequest(image=pb.ImageInput(data=image), captions=args.caption), timeout=30
        )
        try:
            score_captions(pb.ScoreCaptionsRequest(image=pb.ImageInput(data=image)), timeout=30)
            no_captions = {"code": "OK", "details": ""}
        except grpc.RpcError as error:
            no_captions = {"code": error.code().name, "details": error.details()}

    json.dump(
        {
            "model_info": {
                "name": info.name,
                "embed_dim": info.embed_dim,
                "feature_dim": info.feature_dim,
                "image_size": info.image_size,
                "max_tokens": info.max_tokens,
                "device": info.device,
                "precision": info.precision,
                "logit_scale": info.logit_scale,
                "max_captions": info.limits.max_captions,
            },
            "texts": [
                {
                    "embedding": list(result.embedding.values),
                    "features": list(result.features.values),
                    "truncated": result.truncated,
                    "token_count": result.token_count,
                }
                for result in texts.results
            ],
            "scores": [
                {
                    "caption": score.caption,
                    "cosine": score.cosine,
                    "logit": score.logit,
                    "probability": score.probability,
                    "truncated": score.truncated,
                }
                for score in scores.scores
            ],
            "logit_scale": scores.logit_scale,
            "no_captions": no_captions,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
