import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { GrpcMethod } from '@nestjs/microservices';
import type { narration } from '@storytelling/contracts';
import { CallerResolver, type MetadataLike } from '@storytelling/platform';
import {
  AddSampleCommand,
  CreateVoiceCommand,
  DeleteSampleCommand,
  GetVoiceQuery,
  ListVoicesQuery,
  TrainVoiceCommand,
  type SampleView,
  type VoiceView,
} from '../application/index.js';

/**
 * The voice half of NarrationService (the narrations half is narrations.grpc-controller.ts):
 * each method bound by name with @GrpcMethod, so two controllers serve one proto service. Every
 * method resolves the caller from the bearer token, then runs a command or query; errors are
 * kernel DomainErrors that the platform's gRPC filter maps to status + x-error-code.
 */
@Controller()
export class VoicesGrpcController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(CallerResolver) private readonly callers: CallerResolver,
  ) {}

  @GrpcMethod('NarrationService', 'CreateVoice')
  async createVoice(request: narration.CreateVoiceRequest, metadata?: MetadataLike): Promise<narration.CreateVoiceResponse> {
    const caller = await this.callers.require(metadata);
    return { voice: toProtoVoice(await this.commands.execute(new CreateVoiceCommand(caller, request.name))) };
  }

  @GrpcMethod('NarrationService', 'ListVoices')
  async listVoices(_request: narration.ListVoicesRequest, metadata?: MetadataLike): Promise<narration.ListVoicesResponse> {
    const caller = await this.callers.require(metadata);
    return { voices: (await this.queries.execute(new ListVoicesQuery(caller))).map(toProtoVoice) };
  }

  @GrpcMethod('NarrationService', 'GetVoice')
  async getVoice(request: narration.GetVoiceRequest, metadata?: MetadataLike): Promise<narration.GetVoiceResponse> {
    const caller = await this.callers.require(metadata);
    return { voice: toProtoVoice(await this.queries.execute(new GetVoiceQuery(caller, request.voiceId))) };
  }

  @GrpcMethod('NarrationService', 'AddSample')
  async addSample(request: narration.AddSampleRequest, metadata?: MetadataLike): Promise<narration.AddSampleResponse> {
    const caller = await this.callers.require(metadata);
    // declared_content_type is what the client claimed: the content decides, so it is not used.
    const sample = await this.commands.execute(new AddSampleCommand(caller, request.voiceId, request.emotion, request.text, request.uploadObjectKey));
    return { sample: toProtoSample(sample) };
  }

  @GrpcMethod('NarrationService', 'DeleteSample')
  async deleteSample(request: narration.DeleteSampleRequest, metadata?: MetadataLike): Promise<narration.DeleteSampleResponse> {
    const caller = await this.callers.require(metadata);
    await this.commands.execute(new DeleteSampleCommand(caller, request.voiceId, request.sampleId));
    return {};
  }

  @GrpcMethod('NarrationService', 'TrainVoice')
  async trainVoice(request: narration.TrainVoiceRequest, metadata?: MetadataLike): Promise<narration.TrainVoiceResponse> {
    const caller = await this.callers.require(metadata);
    return { voice: toProtoVoice(await this.commands.execute(new TrainVoiceCommand(caller, request.voiceId))) };
  }
}

/** A sample as the proto has it: the view without its creation time. */
function toProtoSample({ createdAt: _createdAt, ...sample }: SampleView): narration.Sample {
  return sample;
}

export function toProtoVoice({ samples, failureReason, profile, createdAt, ...voice }: VoiceView): narration.Voice {
  return {
    ...voice,
    samples: samples.map(toProtoSample),
    failureReason: failureReason ?? '',
    ...(profile ? { profile: { ...profile } } : {}),
    createdAt: createdAt.toISOString(),
  };
}
